//! Reading `Accept` (RFC 9110 §12.5.1): each media type's weight is that of
//! the most specific range that matches it (`text/csv` before `text/*`
//! before `*/*`), and a weight of 0 means "not acceptable".

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::error::{ApiError, ApiResult};

struct Range {
    kind: String,
    subtype: String,
    weight: f32,
}

/// The media ranges of a request's `Accept`.
pub struct Accept(Vec<Range>);

/// Whether `request` asks for `alternative` rather than JSON, the default:
/// only when it names `alternative` itself, at least as high as JSON. A
/// 406 when it accepts neither; no `Accept` is JSON.
pub fn prefers_over_json(request: &HttpRequest, alternative: &str) -> ApiResult<bool> {
    let Some(accept) = Accept::of(request) else {
        return Ok(false);
    };
    let json = accept.weight("application/json").unwrap_or(0.0);
    let other = accept.weight(alternative).unwrap_or(0.0);
    if json <= 0.0 && other <= 0.0 {
        return Err(ApiError::NotAcceptable(format!(
            "this is application/json or {alternative}"
        )));
    }
    Ok(accept.names(alternative) && other >= json)
}

impl Accept {
    /// `None` without an `Accept` header (anything is acceptable).
    pub fn of(request: &HttpRequest) -> Option<Self> {
        let value = request.headers().get(header::ACCEPT)?.to_str().ok()?;
        Some(Self::parse(value))
    }

    fn parse(value: &str) -> Self {
        let ranges = value
            .split(',')
            .filter_map(|entry| {
                let mut parts = entry.split(';');
                let media = parts.next()?.trim().to_ascii_lowercase();
                let (kind, subtype) = media.split_once('/')?;
                let weight = parts
                    .filter_map(|p| p.split_once('='))
                    .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
                    .map_or(Some(1.0), |(_, q)| q.trim().parse::<f32>().ok())?;
                Some(Range {
                    kind: kind.trim().to_owned(),
                    subtype: subtype.trim().to_owned(),
                    weight: weight.clamp(0.0, 1.0),
                })
            })
            .collect();
        Self(ranges)
    }

    /// The weight of `media` (`type/subtype`), or `None` when no range
    /// covers it.
    pub fn weight(&self, media: &str) -> Option<f32> {
        let (kind, subtype) = media.split_once('/')?;
        let specificity = |range: &Range| match (range.kind.as_str(), range.subtype.as_str()) {
            (k, s) if k == kind && s == subtype => Some(2),
            (k, "*") if k == kind => Some(1),
            ("*", "*") => Some(0),
            _ => None,
        };
        self.0
            .iter()
            .filter_map(|range| specificity(range).map(|s| (s, range.weight)))
            .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
            .map(|(_, weight)| weight)
    }

    /// Whether `media` is named itself (not only through a wildcard) and
    /// acceptable.
    pub fn names(&self, media: &str) -> bool {
        self.0
            .iter()
            .any(|range| format!("{}/{}", range.kind, range.subtype) == media && range.weight > 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Accept;

    #[test]
    fn the_most_specific_range_gives_the_weight() {
        let accept =
            Accept::parse("text/*;q=0.3, text/csv;Q=0.7, */*;q=0.1, application/ld+json;q=0");
        assert_eq!(accept.weight("text/csv"), Some(0.7));
        assert_eq!(accept.weight("text/plain"), Some(0.3));
        assert_eq!(accept.weight("application/json"), Some(0.1));
        assert_eq!(accept.weight("application/ld+json"), Some(0.0));
        assert!(accept.names("text/csv"));
        assert!(
            !accept.names("application/ld+json"),
            "q=0 is not acceptable"
        );
        assert!(!accept.names("application/json"));
        assert_eq!(Accept::parse("text/html").weight("application/json"), None);
        assert_eq!(Accept::parse("text/csv;q=x").weight("text/csv"), None);
    }
}
