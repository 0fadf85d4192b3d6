"""Calling patients: the counter/room service, the waiting-room board, the voice."""
