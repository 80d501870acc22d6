"""Before the first deploy: what the AWS account must have (`./shop3d preflight <stack>`), and
the one resource created outside the stack, the hosted zone (`./shop3d bootstrap-zone`)."""
