// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Hand-maintained part (human data, sync runs): kept by the generator as written here.
CREATE CONSTRAINT sync_run_id IF NOT EXISTS FOR (n:SyncRun) REQUIRE n.id IS UNIQUE;
CREATE INDEX sync_run_source IF NOT EXISTS FOR (n:SyncRun) ON (n.source_id);
CREATE INDEX source_scope IF NOT EXISTS FOR (n:Source) ON (n.source_id, n.sync_run);
CREATE CONSTRAINT vsphereentity_id IF NOT EXISTS FOR (n:VSphereEntity) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT vcenter_id IF NOT EXISTS FOR (n:VCenter) REQUIRE n.id IS UNIQUE;
CREATE INDEX vcenter_name IF NOT EXISTS FOR (n:VCenter) ON (n.name);
CREATE INDEX vcenter_instance_uuid IF NOT EXISTS FOR (n:VCenter) ON (n.instance_uuid);
CREATE CONSTRAINT datacenter_id IF NOT EXISTS FOR (n:Datacenter) REQUIRE n.id IS UNIQUE;
CREATE INDEX datacenter_name IF NOT EXISTS FOR (n:Datacenter) ON (n.name);
CREATE CONSTRAINT folder_id IF NOT EXISTS FOR (n:Folder) REQUIRE n.id IS UNIQUE;
CREATE INDEX folder_name IF NOT EXISTS FOR (n:Folder) ON (n.name);
CREATE CONSTRAINT virtualmachine_id IF NOT EXISTS FOR (n:VirtualMachine) REQUIRE n.id IS UNIQUE;
CREATE INDEX virtualmachine_name IF NOT EXISTS FOR (n:VirtualMachine) ON (n.name);
CREATE INDEX virtualmachine_instance_uuid IF NOT EXISTS FOR (n:VirtualMachine) ON (n.instance_uuid);
CREATE INDEX virtualmachine_bios_uuid IF NOT EXISTS FOR (n:VirtualMachine) ON (n.bios_uuid);
