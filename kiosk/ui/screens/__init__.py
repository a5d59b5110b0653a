"""One screen per workflow state; each shows the state and sends events."""
