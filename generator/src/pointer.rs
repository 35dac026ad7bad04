//! JSON pointers (RFC 6901) in their URI-fragment form, `#/paths/~1v1~1coupons/get`.
//! The lowering pass carries one down every recursion so that errors, the IR
//! and drift reports can say exactly where in the spec a thing came from.

use std::fmt;

/// An owned JSON pointer, always starting with `#`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pointer(String);

impl Pointer {
    /// The document root, `#`.
    pub fn root() -> Self {
        Pointer("#".to_owned())
    }

    /// Parses a local `$ref` target such as `#/components/schemas/coupon`.
    pub fn from_ref(reference: &str) -> Option<Self> {
        (reference == "#" || reference.starts_with("#/")).then(|| Pointer(reference.to_owned()))
    }

    /// This pointer with one more reference token, escaped as RFC 6901 says.
    pub fn push(&self, token: impl fmt::Display) -> Self {
        let token = token.to_string().replace('~', "~0").replace('/', "~1");
        Pointer(format!("{}/{}", self.0, token))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The unescaped reference tokens, for walking a `serde_json::Value`.
    pub fn tokens(&self) -> impl Iterator<Item = String> + '_ {
        self.0
            .strip_prefix('#')
            .unwrap_or(&self.0)
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
    }

    /// The last reference token, unescaped (`coupon` for `#/components/schemas/coupon`).
    pub fn last(&self) -> Option<String> {
        self.tokens().last()
    }

    /// The JSON pointer without the leading `#`, as `serde_json::Value::pointer` wants it.
    pub fn json_pointer(&self) -> &str {
        self.0.strip_prefix('#').unwrap_or(&self.0)
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_unescapes_tokens() {
        let p = Pointer::root()
            .push("paths")
            .push("/v1/promotion_codes")
            .push("a~b");
        assert_eq!(p.as_str(), "#/paths/~1v1~1promotion_codes/a~0b");
        assert_eq!(
            p.tokens().collect::<Vec<_>>(),
            ["paths", "/v1/promotion_codes", "a~b"]
        );
        assert_eq!(p.last().as_deref(), Some("a~b"));
    }
}
