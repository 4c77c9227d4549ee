"""The scenarios, by what is broken: the database, the mail server, the processes."""
