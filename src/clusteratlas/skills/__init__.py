"""Skills partnerships: ESCO skills, training programmes, automatic tagging and matching."""
