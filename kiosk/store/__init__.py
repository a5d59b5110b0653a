"""The encrypted application store: envelope encryption over SQLite, crypto-shredding on delete."""
