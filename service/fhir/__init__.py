"""The FHIR server that holds Practitioner records: outside this service, only asked."""
