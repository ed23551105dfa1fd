//! Where a webhook may point: an `http` or `https` URL whose host is not this machine or
//! its private network (SSRF), unless the installation's allow-list names the host (the
//! tests' loopback receiver, an integration on the same network). Checked when an
//! endpoint is saved (its URL as written) and again before every attempt (each address
//! its host resolves to then, so a name re-pointed at 10.0.0.1 after it was saved is
//! refused all the same).

use std::net::IpAddr;

/// Hosts that may be private, as the configuration lists them (`SCELLE_WEBHOOK_ALLOW_HOSTS`):
/// names or addresses, compared case-insensitively with the URL's host.
#[derive(Clone, Debug, Default)]
pub struct AllowList(pub Vec<String>);

impl AllowList {
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.0.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// Why a URL is refused (each a rule of the `url` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not an absolute `http` or `https` URL with a host.
    NotHttp,
    /// Credentials in the URL (`https://user:pass@…`): secrets belong in `api_token`.
    Credentials,
    /// Loopback, private, link-local or otherwise not public.
    PrivateTarget,
}

impl Refused {
    pub fn rule(self) -> &'static str {
        match self {
            Refused::NotHttp => "webhook_url_http",
            Refused::Credentials => "webhook_url_credentials",
            Refused::PrivateTarget => "webhook_url_private",
        }
    }
}

/// The URL as saved: its shape, and its host when that is an address or a local name.
pub fn check_url(raw: &str, allow: &AllowList) -> Result<url::Url, Refused> {
    let url = url::Url::parse(raw.trim()).map_err(|_| Refused::NotHttp)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refused::NotHttp);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused::Credentials);
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or(Refused::NotHttp)?.to_owned();
    if allow.allows(&host) {
        return Ok(url);
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(Refused::PrivateTarget),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(Refused::PrivateTarget),
        Some(url::Host::Domain(d)) if is_local_name(d) => Err(Refused::PrivateTarget),
        _ => Ok(url),
    }
}

/// Names that always mean this machine or its network.
fn is_local_name(d: &str) -> bool {
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    d == "localhost" || d.ends_with(".localhost") || d.ends_with(".local") || d.ends_with(".internal")
}

/// An address on the public Internet: not loopback, private (RFC 1918, ULA), link-local,
/// shared (CGNAT), documentation, benchmarking, multicast, broadcast or unspecified, nor
/// an IPv4 address hidden in IPv6 (mapped, compatible, 6to4, NAT64) that is one of those.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // 6to4 (2002::/16) and NAT64 (64:ff9b::/96) carry an IPv4 address.
            if s[0] == 0x2002 {
                let v4 = std::net::Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
                return is_public(IpAddr::V4(v4));
            }
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                let v4 = std::net::Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
                return is_public(IpAddr::V4(v4));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                // Teredo (2001::/32) and local-use NAT64 (64:ff9b:1::/48) carry or reach
                // addresses of their own network.
                || (s[0] == 0x2001 && s[1] == 0)
                || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1)
                // SIIT (::ffff:0:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms.
                || s[..4] == [0, 0, 0, 0] && (s[4] == 0xffff || s[4] == 0) && s[5] == 0
                || s[..6] == [0, 0, 0, 0, 0, 0])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_http_targets_unless_allowed() {
        let none = AllowList::default();
        for ok in ["https://hooks.example.com/scelle", "http://93.184.216.34:8080/x", "https://[2606:4700::1]/"] {
            assert!(check_url(ok, &none).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("ftp://example.com/", Refused::NotHttp),
            ("not a url", Refused::NotHttp),
            ("https://user:pw@example.com/", Refused::Credentials),
            ("http://127.0.0.1:9000/", Refused::PrivateTarget),
            ("http://localhost/", Refused::PrivateTarget),
            ("http://api.localhost/", Refused::PrivateTarget),
            ("http://10.1.2.3/", Refused::PrivateTarget),
            ("http://172.16.0.1/", Refused::PrivateTarget),
            ("http://192.168.1.1/", Refused::PrivateTarget),
            ("http://169.254.169.254/latest/meta-data", Refused::PrivateTarget),
            ("http://100.64.0.1/", Refused::PrivateTarget),
            ("http://0.0.0.0/", Refused::PrivateTarget),
            ("http://[::1]/", Refused::PrivateTarget),
            ("http://[fe80::1]/", Refused::PrivateTarget),
            ("http://[fd00::1]/", Refused::PrivateTarget),
            ("http://[::ffff:127.0.0.1]/", Refused::PrivateTarget),
            ("http://[2002:7f00:1::]/", Refused::PrivateTarget),
            ("http://[64:ff9b::a00:1]/", Refused::PrivateTarget),
            ("http://[fec0::1]/", Refused::PrivateTarget),
            ("http://[2001:0:4136:e378::1]/", Refused::PrivateTarget),
            ("http://[64:ff9b:1::a00:1]/", Refused::PrivateTarget),
            ("http://[::ffff:0:a00:1]/", Refused::PrivateTarget),
            // Decimal and hexadecimal spellings of 127.0.0.1 are parsed as the address.
            ("http://2130706433/", Refused::PrivateTarget),
            ("http://0x7f.1/", Refused::PrivateTarget),
        ] {
            assert_eq!(check_url(bad, &none).map(|_| ()), Err(why), "{bad}");
        }
        let tests = AllowList(vec!["127.0.0.1".into(), "LOCALHOST".into()]);
        assert!(check_url("http://127.0.0.1:9000/hook", &tests).is_ok());
        assert!(check_url("http://localhost:9000/hook", &tests).is_ok());
        assert!(check_url("http://10.0.0.1/", &tests).is_err());
    }
}
