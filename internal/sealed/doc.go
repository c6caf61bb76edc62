// Package sealed encrypts what a difesa client sends to a hub (bundles,
// acknowledgement notes) on the sender's computer, to the hub's verified
// recipient list, and sends it, sending again when the hub asks: briefly
// busy, proof of work asked once the body had begun to leave, recipients
// changed under the upload.
//
// It exists so that the command line (internal/cli) and the responder's
// desk (internal/desk/casebook) reply and acknowledge through one code
// path.
package sealed
