//! The compute fleet simulator: hourly demand and jobs against On-Demand, Reserved Instances,
//! Savings Plans and Spot (with interruptions), metered as instance-seconds per purchase option.
