"""The SimPy model of one replication: the queue, callbacks, transfers, repeat contacts, records."""
