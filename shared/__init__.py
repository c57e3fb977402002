"""Code that every PLADECO service shares: event contracts, topics, settings, logging, and the
factories for the Kafka broker, the PostgreSQL pool and the service runtime."""
