// Whether a privilege id is known (in the catalogue or in any role).
RETURN EXISTS { MATCH (:Privilege {privilege_id: $id}) } AS known;
