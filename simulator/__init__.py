"""The simulator of Putre's 2020–2025 history: reports as the municipality would have sent them."""
