// Verify a pamtoken access token in Go with github.com/golang-jwt/jwt/v5 and github.com/MicahParks/keyfunc/v3.
//
//	go run verify.go http://127.0.0.1:8719 "$(pamtoken token)"
//
// (Not run in CI: this machine has no Go toolchain. The Python and Node.js versions are tested.)
package main

import (
	"fmt"
	"os"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

func main() {
	issuer, token := os.Args[1], os.Args[2]
	jwks, err := keyfunc.NewDefault([]string{issuer + "/.well-known/jwks.json"})
	if err != nil {
		panic(err)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(token, claims, jwks.Keyfunc,
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(issuer), jwt.WithAudience("pamtoken"), jwt.WithExpirationRequired())
	if err != nil {
		fmt.Fprintln(os.Stderr, "invalid token:", err)
		os.Exit(1)
	}
	fmt.Println(claims["sub"], claims["uid"])
}
