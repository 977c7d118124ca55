//! Health in the `application/health+json` format of the IETF draft
//! "Health Check Response Format for HTTP APIs": an overall `status`
//! (`pass`, `warn`, `fail`) and, per component, the checks that led to it
//! with their observed values and when they were observed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

pub const MEDIA_TYPE: &str = "application/health+json";

/// How a check, or the whole, came out; ordered from good to bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// Healthy.
    Pass,
    /// Healthy, with a concern worth a look (a growing queue, a waiting
    /// pool, an index catching up).
    Warn,
    /// Unhealthy: take this instance out of service.
    Fail,
}

/// One observation of a component.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Which of several like components (e.g. a pool's name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component_id: Option<String>,
    /// `datastore`, `component` or `system`.
    pub component_type: &'static str,
    /// A number, a text or null (a measurement not taken).
    #[schema(schema_with = observed_value)]
    pub observed_value: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_unit: Option<&'static str>,
    pub status: HealthStatus,
    pub time: DateTime<Utc>,
    /// Why the check warns or fails; never personal data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

fn observed_value() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{SchemaType, Type};
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::Number,
            Type::String,
            Type::Null,
        ]))
        .build()
}

impl Check {
    pub fn new(component_type: &'static str, observed_value: impl Into<Value>) -> Self {
        Self {
            component_id: None,
            component_type,
            observed_value: observed_value.into(),
            observed_unit: None,
            status: HealthStatus::Pass,
            time: Utc::now(),
            output: None,
        }
    }

    pub fn unit(mut self, unit: &'static str) -> Self {
        self.observed_unit = Some(unit);
        self
    }

    pub fn id(mut self, id: &str) -> Self {
        self.component_id = Some(id.to_owned());
        self
    }

    /// Lowers the status to `status` (never raises it), saying why.
    pub fn concern(mut self, status: HealthStatus, output: impl Into<String>) -> Self {
        if status > self.status {
            self.status = status;
            self.output = Some(output.into());
        }
        self
    }
}

/// The whole answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "status": "pass",
    "version": "0",
    "releaseId": "0.1.0",
    "serviceId": "aimd-registry",
    "description": "readiness of this instance: database, search index, webhook worker, connection pools",
    "checks": {
        "postgresql:responseTime": [{"componentType": "datastore", "observedValue": 1.2, "observedUnit": "ms", "status": "pass", "time": "2026-12-01T12:00:00Z"}],
        "searchIndex:lag": [{"componentType": "component", "observedValue": 0, "observedUnit": "events", "status": "pass", "time": "2026-12-01T12:00:00Z"}]
    }
}))]
pub struct Health {
    pub status: HealthStatus,
    /// The API's major version.
    pub version: String,
    /// The build: the crate's full version.
    pub release_id: String,
    pub service_id: &'static str,
    pub description: &'static str,
    /// Checks by `component:measurement`.
    pub checks: BTreeMap<String, Vec<Check>>,
}

impl Health {
    pub fn new(description: &'static str, release: &str) -> Self {
        Self {
            status: HealthStatus::Pass,
            version: release.split('.').next().unwrap_or(release).to_owned(),
            release_id: release.to_owned(),
            service_id: "aimd-registry",
            description,
            checks: BTreeMap::new(),
        }
    }

    /// Adds a check; the whole is as bad as its worst check.
    pub fn add(&mut self, name: &str, check: Check) {
        self.status = self.status.max(check.status);
        self.checks.entry(name.to_owned()).or_default().push(check);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_is_as_bad_as_its_worst_check() {
        let mut health = Health::new("test", "1.2.3");
        assert_eq!(health.version, "1");
        health.add("a:b", Check::new("component", 1));
        assert_eq!(health.status, HealthStatus::Pass);
        health.add(
            "a:c",
            Check::new("component", 2).concern(HealthStatus::Warn, "high"),
        );
        assert_eq!(health.status, HealthStatus::Warn);
        let failed = Check::new("datastore", Value::Null).concern(HealthStatus::Fail, "down");
        let eased = failed.concern(HealthStatus::Warn, "ignored");
        assert_eq!(eased.status, HealthStatus::Fail);
        assert_eq!(eased.output.as_deref(), Some("down"));
        health.add("a:b", eased);
        assert_eq!(health.status, HealthStatus::Fail);
        assert_eq!(health.checks["a:b"].len(), 2);
    }
}
