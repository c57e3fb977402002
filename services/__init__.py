"""The four services of the PLADECO monitoring system; each folder is one deployable process."""
