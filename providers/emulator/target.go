package emulator

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// PrivateTarget is a Notifier.Refuse for gateways that will not call a
// private network or TOR (CoinPay24: "Payment notification is sent to a
// private network, such as localhost" ends it). It names why u is such a
// target: localhost and *.localhost, *.onion, and hosts that are or
// resolve to loopback, private (RFC 1918, RFC 4193), link-local or
// unspecified addresses. A name that does not resolve is not refused
// here: its delivery fails on its own.
func PrivateTarget(u *url.URL) string {
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	switch {
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return "a private network (" + host + ")"
	case strings.HasSuffix(host, ".onion"):
		return "the TOR network (" + host + ")"
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if private(ip) {
			return "a private network (" + host + ")"
		}
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return ""
	}
	for _, ip := range addrs {
		if private(ip) {
			return "a private network (" + host + " is " + ip.String() + ")"
		}
	}
	return ""
}

func private(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified()
}
