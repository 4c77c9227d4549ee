"""Custom domains of an organization: added, proven by a DNS TXT record, re-checked, resolved."""
