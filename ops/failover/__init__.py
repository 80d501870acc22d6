"""`./shop3d failover <stack> --to <region>`: move the Aurora writer (a planned switchover, or
an unplanned failover that allows data loss), wait for the new writer, then move
orders.<domain>'s primary record to its cell and record the writer region in the stack
config so the next deploy agrees."""
