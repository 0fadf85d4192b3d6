"""ICAO Doc 9303 eMRTD reading: access control (BAC, PACE later), secure messaging, LDS, PA."""
