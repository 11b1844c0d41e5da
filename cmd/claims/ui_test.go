package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// TestBrowserDemo drives the demo's web UI in headless Chromium as a
// billing specialist would: sign in, open the 277CA-rejected claim and
// its reason in words, correct the member ID, submit now, collect, see
// the new version accepted and paid and its work item closed, look at
// the AR chart, sign out. It saves a screenshot of each main page at
// 1280 and 390 px into $CLAIMS_SCREENSHOTS (default: a temporary folder)
// and logs the paths.
func TestBrowserDemo(t *testing.T) {
	chromium, err := findChromium()
	pipelinetest.NeedIntegration(t, "Chromium (apt install chromium)", err)

	const password = "browser-test-pass"
	t.Setenv("CLAIMS_DEMO_PASSWORD", password)
	base := startDemoUI(t)

	shots := os.Getenv("CLAIMS_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first call starts the browser and binds its life to its
	// context, which must not have a deadline; steps get one each.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	step := func() (context.Context, context.CancelFunc) { return context.WithTimeout(bctx, time.Minute) }
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := step()
		defer cancel()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	get := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		ctx, cancel := step()
		defer cancel()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	count := func(what, selector string) int {
		t.Helper()
		ctx, cancel := step()
		defer cancel()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", selector)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return n
	}
	// press clicks a button that loads a new page, and waits for an
	// element of the new page (the old one is marked so it cannot match).
	load := func(what string, act chromedp.Action[chromedp.Void], wait string) {
		t.Helper()
		ctx, cancel := step()
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.body.dataset.stale = "1") && true`)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if err := chromedp.Do(ctx, act, chromedp.WaitVisible(`body:not([data-stale]) `+wait)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	press := func(what, button, wait string) { t.Helper(); load(what, chromedp.Click(button), wait) }
	var saved []string
	shoot := func(name string) {
		t.Helper()
		for _, width := range []int64{1280, 390} {
			do("viewport", chromedp.EmulateViewport(width, 900))
			ctx, cancel := step()
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			cancel()
			if err != nil {
				t.Fatalf("screenshot %s: %v", name, err)
			}
			path := filepath.Join(shots, fmt.Sprintf("%s-%d.png", name, width))
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			saved = append(saved, path)
		}
		do("viewport", chromedp.EmulateViewport(1280, 900))
	}

	// 1. Every page redirects to the sign-in page; signing in (Enter in
	// the password field) lands on the page asked for.
	do("open the queue", chromedp.Navigate(base+"/queue"), chromedp.WaitVisible(`#username`))
	if loc := get("location", chromedp.Location()); !strings.Contains(loc, "/login") {
		t.Fatalf("/queue without a session went to %s, want /login", loc)
	}
	shoot("login")
	do("sign in", chromedp.SendKeys(`#username`, "demo"), chromedp.SendKeys(`#password`, password+kb.Enter),
		chromedp.WaitVisible(`table.worklist`))
	if loc := get("location", chromedp.Location()); !strings.HasSuffix(loc, "/queue") {
		t.Fatalf("after sign-in: %s, want /queue", loc)
	}
	shoot("queue")

	// 2. The 277CA-rejected claim, with its reason in words.
	do("277CA group", chromedp.Navigate(base+"/queue?source=277ca"), chromedp.WaitVisible(`table.worklist`))
	reason := get("reason", chromedp.Text(`table.worklist tbody tr .reason`))
	href := get("claim link", chromedp.Text(`table.worklist a.claim-link`))
	if !strings.Contains(reason, "member number is not valid") {
		t.Fatalf("277CA row reason %q; want the member number in words", reason)
	}
	claimID := strings.TrimPrefix(href, "Claim ")
	claimURL := base + "/claims/" + claimID
	do("claim page", chromedp.Navigate(claimURL), chromedp.WaitVisible(`.attention`))
	if text := get("attention", chromedp.Text(`.attention`)); !strings.Contains(text, "member number is not valid") || !strings.Contains(text, "A7:164") {
		t.Fatalf("claim page reason: %q", text)
	}
	shoot("claim-rejected")

	// 3. Correct the member ID and save.
	member := `input[name="field:subscriber.member_id"]`
	do("correct form", chromedp.Click(`a.button.primary`), chromedp.WaitVisible(member))
	shoot("correct")
	// Keyboard only: Tab goes from the member ID to the next field, and
	// Enter in the note saves.
	do("tab", chromedp.Focus(member), chromedp.KeyEvent(kb.Tab))
	ctx, cancel := step()
	next, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.name`))
	cancel()
	if err != nil || next != "field:subscriber.last_name" {
		t.Fatalf("Tab from the member ID went to %q (%v), want the last name", next, err)
	}
	do("fill", chromedp.SetValue(member, "XJH448812901"))
	load("save with Enter", chromedp.SendKeys(`#note`, "Member ID from the card"+kb.Enter), `.flash.good`)
	if text := get("flash", chromedp.Text(`.flash.good`)); !strings.Contains(text, "C"+claimID+"-2") {
		t.Fatalf("after saving: %q, want version C%s-2 queued", text, claimID)
	}

	// 4. Submit now, then collect against the demo's clearinghouse.
	press("submit now", `form[action="/jobs/submit"] button`, `.flash`)
	if text := get("flash", chromedp.Text(`.flash`)); !strings.Contains(text, "1 claim sent") {
		t.Fatalf("submit now: %q", text)
	}
	press("collect now", `form[action="/jobs/collect"] button`, `.flash`)
	if text := get("flash", chromedp.Text(`.flash`)); !strings.Contains(text, "1 paid") {
		t.Fatalf("collect now: %q", text)
	}

	// 5. The new version accepted and paid, the work item closed.
	do("claim after", chromedp.Navigate(claimURL), chromedp.WaitVisible(`h1 .badge`))
	state := get("state", chromedp.Text(`h1 .badge`))
	versions := get("versions", chromedp.Text(`#versions`))
	if open := count("open items", ".attention"); !strings.Contains(state, "paid") || !strings.Contains(versions, "C"+claimID+"-2") || open != 0 {
		t.Fatalf("claim after the loop: state %q, %d open items, versions %q", state, open, versions)
	}
	shoot("claim-paid")
	do("queue after", chromedp.Navigate(base+"/queue?source=277ca"), chromedp.WaitVisible(`main h1`))
	if n := count("rows", fmt.Sprintf(`a[href="/claims/%s"]`, claimID)); n != 0 {
		t.Fatalf("claim %s is still in the 277CA queue", claimID)
	}

	// 6. AR with its chart, and the other manager pages.
	do("ar", chromedp.Navigate(base+"/ar"), chromedp.WaitVisible(`figure.chart svg`))
	if n := count("bars", "figure.chart g.bar"); n == 0 {
		t.Fatal("the AR chart has no bars")
	}
	shoot("ar")
	for _, page := range []string{"remits", "batches", "audit"} {
		do(page, chromedp.Navigate(base+"/"+page), chromedp.WaitVisible(`main h1`))
		shoot(page)
	}

	// 7. Sign out: the queue goes back to the sign-in page.
	press("sign out", `form.who button`, `#username`)
	do("queue signed out", chromedp.Navigate(base+"/queue"), chromedp.WaitVisible(`#username`))
	if loc := get("location", chromedp.Location()); !strings.Contains(loc, "/login") {
		t.Fatalf("/queue after signing out went to %s, want /login", loc)
	}
	for _, p := range saved {
		t.Logf("screenshot: %s", p)
	}
}

// findChromium finds Debian's chromium (or $CHROMIUM).
func findChromium() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium on PATH")
}

// startDemoUI runs "claims demo" on a new folder with the web UI on a free
// loopback port, and returns its base URL. The demo stops with the test.
func startDemoUI(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--dir", t.TempDir(), "--listen", "127.0.0.1:0"}, strings.NewReader(""), io.Discard, pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("demo exited %d", code)
			}
		case <-time.After(30 * time.Second):
			t.Error("the demo did not stop")
		}
	})
	url := regexp.MustCompile(`Web UI: (http://127\.0\.0\.1:\d+)/`)
	lines := bufio.NewScanner(pr)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if m := url.FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		go io.Copy(io.Discard, pr) //nolint:errcheck // drain the rest
		return u
	case code := <-done:
		t.Fatalf("demo exited %d before serving", code)
	case <-time.After(2 * time.Minute):
		t.Fatal("the demo did not start serving within 2 minutes")
	}
	return ""
}
