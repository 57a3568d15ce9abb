//! The behavioural model: each equation lives in the module that owns it and
//! is written out in its module doc and in `docs/model.md`.
//!
//! - [`decision`]: the daily hazard of deciding to leave;
//! - [`documents`]: who holds which documents, who applies for a passport
//!   and whether it is granted;
//! - [`mobilization`]: the call-up schedule, regional quotas and priorities;
//! - [`choice`]: the multinomial-logit choice of crossing;
//! - [`travel`]: travel time and cost;
//! - [`policy`]: what holds at each crossing on each day, in truth and as expected;
//! - [`border`]: the FIFO queues at the crossings, and what the post does
//!   with a man it processes;
//! - [`air`]: seats booked ahead on the air routes, and their fares;
//! - [`abroad`]: men of the exodus who move on or go home, and the ordinary
//!   travellers who come and go (the exits).

pub mod abroad;
pub mod air;
pub mod border;
pub mod choice;
pub mod decision;
pub mod documents;
pub mod mobilization;
pub mod policy;
pub mod travel;
