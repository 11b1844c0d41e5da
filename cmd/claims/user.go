package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/x12claims/claims/pipeline"
)

func newUserCmd(s *streams, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage the users of the web UI",
		Long: `user adds and changes the people who sign in to the web UI. Roles:
  biller   works the queue, reads and corrects claims
  manager  also sees remittances, AR aging, files and the audit trail
  admin    also manages users

A password is read from the terminal (without echo, twice), or from the first
line of standard input when it is not a terminal. It is stored as a bcrypt
hash; changes are in the audit trail under --user.`,
		Example: `  claims user add ana --role biller --config /etc/claims/claims.yaml
  printf '%s\n' "$PASSWORD" | claims user add ops --role admin --config /etc/claims/claims.yaml
  claims user list --json
  claims user set ana --role manager
  claims user set ana --disable
  claims user password ana`,
	}
	var role string
	add := &cobra.Command{
		Use:   "add NAME --role biller|manager|admin",
		Short: "Add a user; the password is read from the terminal or standard input",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := pipeline.ParseRole(role)
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				pw, err := readPassword(s, "Password for "+args[0])
				if err != nil {
					return err
				}
				if err := a.pipe.AddUser(ctx, args[0], r, pw, g.user); err != nil {
					return err
				}
				return g.print(s, map[string]string{"user": args[0], "role": string(r)}, func() {
					fmt.Fprintf(s.out, "User %s added as %s.\n", args[0], r)
				})
			})
		},
	}
	add.Flags().StringVar(&role, "role", "", "biller, manager or admin (required)")
	_ = add.MarkFlagRequired("role")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the users and their roles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				us, err := a.pipe.Users(ctx)
				if err != nil {
					return err
				}
				type row struct {
					Name      string `json:"name"`
					Role      string `json:"role"`
					Disabled  bool   `json:"disabled"`
					CreatedAt string `json:"created_at"`
				}
				rows := make([]row, 0, len(us))
				for _, u := range us {
					rows = append(rows, row{u.Name, string(u.Role), u.Disabled, u.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")})
				}
				return g.print(s, rows, func() {
					tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "USER\tROLE\tSTATUS\tSINCE")
					for _, r := range rows {
						status := "active"
						if r.Disabled {
							status = "disabled"
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Role, status, r.CreatedAt[:10])
					}
					tw.Flush()
				})
			})
		},
	}

	var setRole string
	var disable, enable bool
	set := &cobra.Command{
		Use:   "set NAME [--role R] [--disable | --enable]",
		Short: "Change a user's role, or disable or enable them (disabling ends their sessions)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if disable && enable {
				return errors.New("give --disable or --enable, not both")
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				us, err := a.pipe.Users(ctx)
				if err != nil {
					return err
				}
				var u *pipeline.User
				for _, x := range us {
					if x.Name == args[0] {
						u = x
					}
				}
				if u == nil {
					return explain(fmt.Errorf("user %s: %w", args[0], pipeline.ErrNotFound))
				}
				r, off := u.Role, u.Disabled
				if setRole != "" {
					if r, err = pipeline.ParseRole(setRole); err != nil {
						return err
					}
				}
				if disable || enable {
					off = disable
				}
				if err := a.pipe.SetUser(ctx, u.Name, r, off, g.user); err != nil {
					return err
				}
				return g.print(s, map[string]any{"user": u.Name, "role": string(r), "disabled": off}, func() {
					fmt.Fprintf(s.out, "User %s: %s, %s.\n", u.Name, r, map[bool]string{true: "disabled", false: "active"}[off])
				})
			})
		},
	}
	set.Flags().StringVar(&setRole, "role", "", "new role: biller, manager or admin")
	set.Flags().BoolVar(&disable, "disable", false, "stop the user from signing in")
	set.Flags().BoolVar(&enable, "enable", false, "let a disabled user sign in again")

	password := &cobra.Command{
		Use:   "password NAME",
		Short: "Set a user's password (ends their sessions)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				pw, err := readPassword(s, "New password for "+args[0])
				if err != nil {
					return err
				}
				if err := a.pipe.SetPassword(ctx, args[0], pw, g.user); err != nil {
					return explain(err)
				}
				return g.print(s, map[string]string{"user": args[0]}, func() {
					fmt.Fprintf(s.out, "Password of %s changed.\n", args[0])
				})
			})
		},
	}
	cmd.AddCommand(add, list, set, password)
	return cmd
}

// readPassword reads a password: from the terminal without echo, typed
// twice, or from the first line of standard input.
func readPassword(s *streams, prompt string) (string, error) {
	if f, ok := s.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(s.err, "%s: ", prompt)
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(s.err)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		fmt.Fprint(s.err, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(s.err)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ; nothing was changed")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(s.in, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password: type it at the terminal, or give it on the first line of standard input")
	}
	return line, nil
}
