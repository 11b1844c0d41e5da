package configs

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// badValues gives every key of the configuration a value of the right
// type that is wrong, with the other keys it needs to be wrong (by key,
// "clearinghouses[]" standing for the entry the key is in). A key with no
// wrong value of its type is in anyValue.
var badValues = map[string]struct {
	value string
	with  map[string]string
}{
	"dir":                        {value: `""`},
	"store":                      {value: `{driver: mysql}`},
	"store.driver":               {value: "mysql"},
	"store.path":                 {value: `""`},
	"store.url_env":              {value: "CLAIMS_TEST_UNSET_URL", with: map[string]string{"store.driver": "postgres"}},
	"encounters":                 {value: `["[bad"]`},
	"intake":                     {value: "[]"},
	"intake.batch_size":          {value: "-1"},
	"schedule":                   {value: `{submit: "61 * * * *"}`},
	"schedule.submit":            {value: `"61 * * * *"`},
	"schedule.collect":           {value: `"CRON_TZ=Mars/Olympus_Mons */15 * * * *"`},
	"daemon":                     {value: `{listen: "nohost"}`},
	"daemon.listen":              {value: `"127.0.0.1:8080"`}, // web.listen's
	"instance":                   {value: `{lease: 500ms}`},
	"instance.name":              {value: `"billing 1"`},
	"instance.lease":             {value: "2h"},
	"log":                        {value: `{level: loud}`},
	"log.level":                  {value: "loud"},
	"log.format":                 {value: "xml"},
	"clearinghouses":             {value: "[]"},
	"web":                        {value: `{idle_timeout: 1s}`},
	"web.listen":                 {value: `"127.0.0.1:99999"`},
	"web.idle_timeout":           {value: "10s"},
	"web.tls_cert_file":          {value: "/nonexistent/cert.pem"},
	"web.tls_key_file":           {value: "/nonexistent/key.pem"},
	"timely_filing":              {value: "{default_days: -1}"},
	"timely_filing.default_days": {value: "-1"},
	"timely_filing.payers":       {value: `{"87726": 0}`},
	"cob":                        {value: "{secondary: always}"},
	"cob.secondary":              {value: "sometimes"},

	"clearinghouses[].name":                        {value: "Availity Inc"},
	"clearinghouses[].payers":                      {value: `["60054"]`}, // the gateway's
	"clearinghouses[].response_senders":            {value: `["NOT*VALID"]`},
	"clearinghouses[].max_claims_per_set":          {value: "9000"},
	"clearinghouses[].file_name":                   {value: "claims.x12"},
	"clearinghouses[].max_upload_attempts":         {value: "-1"},
	"clearinghouses[].isa":                         {value: "{usage: X}"},
	"clearinghouses[].isa.sender_qualifier":        {value: "Q"},
	"clearinghouses[].isa.sender_id":               {value: "WAY TOO LONG SENDER"},
	"clearinghouses[].isa.receiver_qualifier":      {value: `"99"`},
	"clearinghouses[].isa.receiver_id":             {value: `""`},
	"clearinghouses[].isa.usage":                   {value: "X"},
	"clearinghouses[].isa.ack_requested":           {value: `"2"`},
	"clearinghouses[].gs":                          {value: `{sender_code: "A"}`},
	"clearinghouses[].gs.sender_code":              {value: "A"},
	"clearinghouses[].gs.receiver_code":            {value: `"A-B"`},
	"clearinghouses[].submitter":                   {value: `{phone: "", email: ""}`},
	"clearinghouses[].submitter.name":              {value: `""`},
	"clearinghouses[].submitter.contact":           {value: `"Billing*Office"`},
	"clearinghouses[].submitter.phone":             {value: `"(303) 555-0100"`},
	"clearinghouses[].submitter.email":             {value: "billing.example.com"},
	"clearinghouses[].receiver_name":               {value: `""`},
	"clearinghouses[].overdue":                     {value: "{ack_hours: -1}"},
	"clearinghouses[].overdue.ack_hours":           {value: "-1"},
	"clearinghouses[].overdue.acknowledgment_days": {value: "-3"},
	"clearinghouses[].overdue.payment_days":        {value: "100000"},
	"clearinghouses[].transport":                   {value: "{type: ftp}"},
	"clearinghouses[].transport.type":              {value: "ftp"},

	"clearinghouses[].transport.sftp":                          {value: "null"},
	"clearinghouses[].transport.sftp.host":                     {value: `"sftp example"`},
	"clearinghouses[].transport.sftp.port":                     {value: "70000"},
	"clearinghouses[].transport.sftp.user":                     {value: `""`},
	"clearinghouses[].transport.sftp.key_file":                 {value: "/nonexistent/id_ed25519"},
	"clearinghouses[].transport.sftp.key_passphrase_env":       {value: "CLAIMS_TEST_UNSET_PASSPHRASE"},
	"clearinghouses[].transport.sftp.key_passphrase_file":      {value: "/nonexistent/passphrase"},
	"clearinghouses[].transport.sftp.password_env":             {value: "CLAIMS_TEST_UNSET_PASSWORD"},
	"clearinghouses[].transport.sftp.password_file":            {value: "/nonexistent/password"},
	"clearinghouses[].transport.sftp.known_hosts_file":         {value: "/nonexistent/known_hosts"},
	"clearinghouses[].transport.sftp.host_key_fingerprint":     {value: "MD5:00:11"},
	"clearinghouses[].transport.sftp.insecure_ignore_host_key": {value: "true"}, // with known_hosts_file
	"clearinghouses[].transport.sftp.upload_dir":               {value: `""`},
	"clearinghouses[].transport.sftp.response_dir":             {value: `""`},
	"clearinghouses[].transport.sftp.archive_dir":              {value: `""`}, // after_pickup is move
	"clearinghouses[].transport.sftp.error_dir":                {value: "/ReceiveFiles/"},
	"clearinghouses[].transport.sftp.after_pickup":             {value: "archive"},
	"clearinghouses[].transport.sftp.patterns":                 {value: `["out/*.835"]`},
	"clearinghouses[].transport.sftp.max_download_size":        {value: "-5MB"},
	"clearinghouses[].transport.sftp.settle":                   {value: "-1s"},
	"clearinghouses[].transport.sftp.done_suffix":              {value: "done"},
	"clearinghouses[].transport.sftp.dial_timeout":             {value: "-1s"},
	"clearinghouses[].transport.sftp.handshake_timeout":        {value: "-5s"},
	"clearinghouses[].transport.sftp.op_timeout":               {value: "48h"},
	"clearinghouses[].transport.sftp.max_attempts":             {value: "-1"},
	"clearinghouses[].transport.sftp.base_delay":               {value: "1m"}, // over max_delay
	"clearinghouses[].transport.sftp.max_delay":                {value: "-30s"},

	"clearinghouses[].transport.localdir":                   {value: "null"},
	"clearinghouses[].transport.localdir.upload_dir":        {value: `""`},
	"clearinghouses[].transport.localdir.response_dir":      {value: `""`},
	"clearinghouses[].transport.localdir.archive_dir":       {value: `""`, with: map[string]string{"clearinghouses[].transport.localdir.after_pickup": "move"}},
	"clearinghouses[].transport.localdir.error_dir":         {value: `"{dir}/gw/in/"`},
	"clearinghouses[].transport.localdir.after_pickup":      {value: "archive"},
	"clearinghouses[].transport.localdir.patterns":          {value: `[""]`},
	"clearinghouses[].transport.localdir.settle":            {value: "2h"},
	"clearinghouses[].transport.localdir.max_download_size": {value: "1KB"},
	"clearinghouses[].transport.localdir.done_suffix":       {value: `".done/x"`},
}

// anyValue are the keys every value of whose type is right.
var anyValue = []string{"intake.replace_adjudicated", "web.secure_cookies", "clearinghouses[].split_by_payer"}

// TestEveryKeyRejectsABadValue feeds every key a wrong value of its type:
// Load must fail, name the key's path, and not panic.
func TestEveryKeyRejectsABadValue(t *testing.T) {
	f := newFixture(t)
	for key := range allKeys() {
		bad, ok := badValues[key]
		if !ok {
			if !slices.Contains(anyValue, key) {
				t.Errorf("%s: no bad value in the table", key)
			}
			continue
		}
		t.Run(key, func(t *testing.T) {
			changes := map[string]string{concrete(key): f.expand(bad.value)}
			for k, v := range bad.with {
				changes[concrete(k)] = v
			}
			_, err := loadWith(t, f, changes)
			if err == nil {
				t.Fatalf("%s: %s was accepted", key, bad.value)
			}
			if !strings.Contains(err.Error(), concrete(key)) {
				t.Errorf("%s: the error does not name the key:\n%v", key, err)
			}
			t.Log(err)
		})
	}
	for key := range badValues {
		if _, ok := allKeys()[key]; !ok {
			t.Errorf("badValues has %s, which is not a key", key)
		}
	}
}

// TestEveryKeyRejectsAWrongType feeds every key a value of another type
// (a mapping for a string, a word for a number, ...): Load must fail with
// the key's path, and not panic.
func TestEveryKeyRejectsAWrongType(t *testing.T) {
	f := newFixture(t)
	leafType := map[string]reflect.Type{}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			fl := t.Field(i)
			path, ft := prefix+yamlKey(fl), fl.Type
			leafType[path] = ft
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.Struct:
				walk(ft, path+".")
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				walk(ft.Elem(), path+"[].")
			}
		}
	}
	walk(reflect.TypeFor[Config](), "")
	for key, typ := range leafType {
		var value string
		switch {
		case typ == durationType:
			value = "fifteen"
		case typ == byteSizeType:
			value = "huge"
		case typ.Kind() == reflect.String, typ.Kind() == reflect.Slice:
			value = "{a: 1}"
		case typ.Kind() == reflect.Int:
			value = "abc"
		case typ.Kind() == reflect.Bool:
			value = "maybe"
		case typ.Kind() == reflect.Map, typ.Kind() == reflect.Struct, typ.Kind() == reflect.Pointer:
			value = "[1, 2]"
		default:
			t.Fatalf("%s: no wrong value for %s", key, typ)
		}
		t.Run(key, func(t *testing.T) {
			_, err := loadWith(t, f, map[string]string{concrete(key): value})
			if err == nil {
				t.Fatalf("%s: %s was accepted", key, value)
			}
			if !strings.Contains(err.Error(), concrete(key)+": ") {
				t.Errorf("%s: the error does not name the key:\n%v", key, err)
			}
		})
	}
}
