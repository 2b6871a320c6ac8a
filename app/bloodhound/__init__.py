"""BloodHound CE interop, export side: the vSphere authority of the graph as a BloodHound
OpenGraph document (:mod:`app.bloodhound.opengraph`), its kinds and derived control edges
(:mod:`app.bloodhound.kinds`), and the saved queries for BloodHound's query library
(:mod:`app.bloodhound.queries`). The import side (SharpHound collections as an AD source) is
``ingest/sharphound/``."""
