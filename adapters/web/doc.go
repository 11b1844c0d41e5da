// Package web is the billing specialists' web UI: a server-rendered
// (html/template) HTTP handler over the pipeline's operations. It holds
// no business rules: every page reads, and every form calls, the same
// pipeline operations as the CLI.
//
// Pages people can bookmark: /login, /queue, /claims/{id} (and
// /claims/{id}/correct), /remits, /ar (and /ar.csv), /batches, /audit,
// /users and /logout. IDs in URLs are internal IDs, never patient data.
//
// Security:
//   - Sign-in with a user name and password (bcrypt, see
//     pipeline.AddUser), rate-limited per user name and per client
//     address. The session cookie is HttpOnly and SameSite=Strict, and
//     Secure when the server runs over TLS (Config.Secure). A session
//     ends after Config.Idle without a request (server side), and the
//     page leaves itself for the sign-in page at that time (client side).
//   - Every form carries a CSRF token in the field csrf_token, derived
//     from the session token; a POST without the right one is refused
//     with 403. The sign-in form uses a double-submit cookie instead.
//   - Roles (pipeline.Role): billers work the queue and correct claims;
//     managers also see remittances, AR, batches and the audit trail;
//     admins also manage users.
//   - Headers: a Content-Security-Policy without inline script or style,
//     X-Frame-Options DENY, Referrer-Policy no-referrer, nosniff, and
//     Cache-Control no-store on every page.
//   - The request log has the method, the path (internal IDs only), the
//     status, the time taken and the user: no query string, no form
//     value, no patient data. Who viewed a claim and who changed what is
//     in the audit trail (/audit), written in the same transaction as
//     the change.
package web
