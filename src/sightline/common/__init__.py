"""What every domain app shares: the service error contract and the input cleaners. Imports no app."""
