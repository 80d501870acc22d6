"""The assembly beside __main__.py: one provider per region, the stack-wide secrets and the
stamping of a network and a cell per configured region. It imports components; nothing
below it imports it."""
