"""Running the program without the Pulumi CLI or AWS: mocks, the recording runner."""
