//! The caller and audience of a request, as the access middleware found
//! them (it puts the [`Caller`] in the request's extensions).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use crate::auth::{Audience, Caller};
use crate::error::ApiError;

impl Caller {
    /// The caller the access middleware found for the request.
    pub fn of_request(request: &HttpRequest) -> Self {
        request
            .extensions()
            .get::<Caller>()
            .cloned()
            .unwrap_or_default()
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of_request(request)))
    }
}

impl Audience {
    /// The audience of the request's caller.
    pub fn of_request(request: &HttpRequest) -> Self {
        Self::of(&Caller::of_request(request))
    }
}
