"""Virtual eMRTD chip for the demo and the tests: synthetic citizens, a test PKI, the vpcd link."""
