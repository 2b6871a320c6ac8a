// A trivial read: proves the server answers queries. No parameters.
RETURN 1 AS ok;
