package policy

import "testing"

// TestCanonical: the spellings of one destination meet in one form, and
// different destinations stay apart.
func TestCanonical(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		// EIP-55 mixed case, lower and upper case hex.
		{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
		{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"},
		// bech32 in either case.
		{"bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", "BC1QAC9UGDN47XG69ZET79N3UEGQL4DRU99AD6P3DV"},
		// cashaddr with and without its prefix, in either case, and the
		// legacy address of the same hash (the cashaddr specification's
		// examples).
		{"bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu"},
		{"qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu"},
		{"BITCOINCASH:QPM2QSZNHKS23Z7629MMS6S4CWEF74VCWVY22GDX6A", "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu"},
		{"bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq", "3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC"},
	} {
		if ca, cb := canonical(tc.a), canonical(tc.b); ca != cb {
			t.Errorf("canonical(%q) = %q, canonical(%q) = %q; want them equal", tc.a, ca, tc.b, cb)
		}
	}
	for _, tc := range []struct{ a, b string }{
		// base58 is case-sensitive: these are different (or no) addresses.
		{"1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", "1bpei6dfdaufd7gtittlsdbeyjvcoavggu"},
		{"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "tr7nhqjekqxgtci8q8zy4pl8otszgjlj6t"},
		{"rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "RHB9CJAWYB4RJ91VRWN96DKUKG4BWDTYTH"},
		// P2PKH and P2SH of one hash are two destinations.
		{"bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq"},
		// A bech32 address in mixed case is not a spelling of anything.
		{"bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv", "bc1qAC9ugdn47xg69zet79n3uegql4dru99ad6p3dv"},
		{"", "x"},
	} {
		if canonical(tc.a) == canonical(tc.b) {
			t.Errorf("canonical(%q) = canonical(%q) = %q; want them apart", tc.a, tc.b, canonical(tc.a))
		}
	}
}
