"""The librarians' staff console: a small HTTPS web app (``kiosk console serve``) that shows every
connected kiosk live, and the link each kiosk keeps to it (``kiosk.console.link``).

Kiosks connect outward over a websocket with a bearer token and stream snapshots built from the
service's public messages (codes, counts and times only, never a citizen's data); the console
sends back staff actions (acknowledge help, a short message, out of service and back), each
with the signed-in librarian as actor.
"""
