// Benchmark baseline of Proxmox parity: the rows parity reads of the source VMs and the
// target guests, raw. No parameters.
MATCH (vm:VirtualMachine)
RETURN vm.id AS id, vm.name AS name, vm.bios_uuid AS serial, null AS nics, null AS disks
UNION ALL
MATCH (g:PveGuest)
RETURN g.id AS id, g.name AS name, g.smbios_uuid AS serial, g.nics AS nics, g.disks AS disks;
