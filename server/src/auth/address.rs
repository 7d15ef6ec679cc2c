//! The client's address, for throttling and the audit log. Behind a reverse proxy every
//! connection comes from the proxy: the addresses of `--trusted-proxy` are believed when they
//! say (in `X-Forwarded-For` or `Forwarded`) whom they forward for — the nearest address that
//! is not itself a trusted proxy is the client. Nobody else's headers are believed. An IPv6
//! client is keyed by its /64 (one household or phone gets a whole /64 and picks addresses
//! from it at will).

use std::net::IpAddr;

/// An address range, `203.0.113.0/24` or `2001:db8::/32` (an address alone is a single one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (a, p) = s.trim().split_once('/').map_or((s.trim(), None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = a.parse().map_err(|_| format!("不是 IP 地址：{a}"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("前缀长度无效：{s}"))?,
        };
        Ok(Cidr { addr, prefix })
    }
}

impl Cidr {
    /// Whether `ip` lies in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| -> Option<(u128, u8)> {
            match ip {
                IpAddr::V4(v) => Some((u128::from(u32::from(v)) << 96, 32)),
                IpAddr::V6(v) => Some((u128::from(v), 128)),
            }
        };
        let ip = match ip {
            IpAddr::V6(v) => v.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (bits(self.addr), bits(ip)) {
            // Both are aligned to the top of 128 bits: compare the prefix's leading bits.
            (Some((a, wa)), Some((b, wb))) if wa == wb => {
                let prefix = u32::from(self.prefix);
                prefix == 0 || (a ^ b) >> (128 - prefix) == 0
            }
            _ => false,
        }
    }
}

/// The key a client is throttled and audited under: the IPv4 address, or the IPv6 /64.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v) if v.to_ipv4_mapped().is_none() => {
            let s = v.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        IpAddr::V6(v) => v.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        IpAddr::V4(v) => v.to_string(),
    }
}

/// The client behind a connection from `peer`: `peer` itself unless it is a trusted proxy, in
/// which case the forwarding headers are read from the nearest hop back.
pub fn client_ip(peer: IpAddr, trusted: &[Cidr], forwarded_for: Option<&str>, forwarded: Option<&str>) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    // `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"` (RFC 7239), else
    // `X-Forwarded-For: client, proxy1, proxy2`.
    let hops: Vec<IpAddr> = match forwarded {
        Some(f) => f
            .split(',')
            .filter_map(|hop| hop.split(';').find_map(|kv| kv.trim().strip_prefix("for=").or_else(|| kv.trim().strip_prefix("For="))))
            .filter_map(|v| parse_hop(v.trim_matches('"')))
            .collect(),
        None => forwarded_for.map(|x| x.split(',').filter_map(|h| parse_hop(h.trim())).collect()).unwrap_or_default(),
    };
    hops.into_iter().rev().find(|ip| !is_trusted(*ip)).unwrap_or(peer)
}

/// One hop's address: `192.0.2.60`, `192.0.2.60:4711`, `[2001:db8::1]:4711` or `2001:db8::1`.
fn parse_hop(h: &str) -> Option<IpAddr> {
    if let Ok(ip) = h.parse() {
        return Some(ip);
    }
    if let Some(rest) = h.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    h.rsplit_once(':').and_then(|(a, _)| a.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_trusted_proxies_are_believed_and_ipv6_is_keyed_by_its_64() {
        let trusted: Vec<Cidr> = ["127.0.0.1", "10.0.0.0/8"].iter().map(|c| c.parse().unwrap()).collect();
        // A direct client's headers are not believed.
        assert_eq!(client_ip(ip("203.0.113.9"), &trusted, Some("198.51.100.1"), None), ip("203.0.113.9"));
        // Through the proxy: the nearest untrusted hop.
        assert_eq!(client_ip(ip("127.0.0.1"), &trusted, Some("198.51.100.1, 203.0.113.7, 10.1.2.3"), None), ip("203.0.113.7"));
        assert_eq!(client_ip(ip("127.0.0.1"), &trusted, None, Some("for=192.0.2.60;proto=https, for=\"[2001:db8::1]:4711\"")), ip("2001:db8::1"));
        assert_eq!(client_ip(ip("127.0.0.1"), &trusted, Some("junk"), None), ip("127.0.0.1"), "nothing readable: the proxy");
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        let range: Cidr = "192.0.2.0/24".parse().unwrap();
        assert!(range.contains(ip("192.0.2.200")) && !range.contains(ip("192.0.3.1")));
        assert!("0.0.0.0/0".parse::<Cidr>().unwrap().contains(ip("198.51.100.1")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")) && !v6.contains(ip("2001:db9::1")) && !v6.contains(ip("192.0.2.1")));
        assert!("::ffff:10.1.1.1".parse::<IpAddr>().is_ok_and(|a| trusted[1].contains(a)), "IPv4-mapped");
        assert_eq!(address_key(ip("2001:db8:0:1:aaaa::1")), address_key(ip("2001:db8:0:1:bbbb::2")));
        assert_ne!(address_key(ip("2001:db8:0:1::1")), address_key(ip("2001:db8:0:2::1")));
        assert_eq!(address_key(ip("203.0.113.7")), "203.0.113.7");
    }
}
