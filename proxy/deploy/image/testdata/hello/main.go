// Command hello stands in for amlaks in the image builder's tests: a small
// static binary.
package main

import "fmt"

func main() { fmt.Println("hello") }
