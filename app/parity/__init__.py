"""Target parity: does the target re-establish each decision the source platform made?

Pure parts (no I/O): :mod:`app.parity.vmmap` (which target VM is which source VM),
:mod:`app.parity.principals` (which target subject is which directory principal),
:mod:`app.parity.privileges` (the vSphere privilege -> Kubernetes/KubeVirt table),
:mod:`app.parity.placement`, :mod:`app.parity.capacity`, :mod:`app.parity.network` (one
rule per decision kind). :mod:`app.parity.authority` asks the target's own authorizer
(SubjectAccessReview); :mod:`app.parity.engine` reads the graph and stores the results.
"""
