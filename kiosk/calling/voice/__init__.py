"""Call announcements, offline: recorded clips (a folder a hospital can re-record) or espeak-ng's
Vietnamese voice, behind one VoiceEngine interface, played one at a time by the Announcer."""
