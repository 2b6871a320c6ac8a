"""Network truth from NSX configuration, as pure functions: group membership evaluation
(:mod:`app.network.membership`), services (:mod:`app.network.services`) and the
distributed-firewall reachability engine (:mod:`app.network.reachability`). The graph side
(reading an estate out of Neo4j, writing evaluated memberships) is :mod:`app.network.estate`."""
