module broken

go 1.25.11
