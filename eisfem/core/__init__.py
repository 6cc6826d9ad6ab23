"""The foundation every layer may import: eisfem's exception types and small shared records."""
