// A stand-in for a Pulumi program: it reports the environment it was given and ends as TEST_MODE says.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
)

func main() {
	var lines []string
	for _, pair := range os.Environ() {
		if strings.HasPrefix(pair, "PULUMI_") {
			lines = append(lines, pair)
		}
	}
	sort.Strings(lines)
	wd, _ := os.Getwd()
	lines = append(lines, "cwd="+wd)
	if err := os.WriteFile(os.Getenv("TEST_OUT"), []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		panic(err)
	}
	switch mode := os.Getenv("TEST_MODE"); mode {
	case "wait":
		interrupted := make(chan os.Signal, 1)
		signal.Notify(interrupted, os.Interrupt)
		fmt.Println("ready")
		<-interrupted
		fmt.Println("interrupted")
		os.Exit(7)
	default:
		code, _ := strconv.Atoi(mode)
		os.Exit(code)
	}
}
