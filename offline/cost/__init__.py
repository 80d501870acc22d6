"""`cost <stack>`: a monthly estimate per service and region from the program's resource graph
and a traffic profile, priced from a committed snapshot or live from the AWS Price List API."""
