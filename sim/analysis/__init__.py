"""Analysis: KPIs as pure functions of records, Erlang formulas, planning tables, replication statistics."""
