module program

go 1.25.11
