"""Adapters binding the check-in core's ports to the store, identity, gateway and printer code."""
