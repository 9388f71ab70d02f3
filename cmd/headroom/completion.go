package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"
	kongcompletion "github.com/jotaen/kong-completion"
)

// completionCmd prints the few lines that hook headroom into a shell's
// completion. The candidates themselves come from headroom at each Tab
// press (kong-completion walks the same kong model that --help prints), so
// a new command or flag completes without regenerating anything.
//
// kong-completion's own `completion` command prints instructions unless
// given -c and names the running binary by its absolute path, which is the
// build directory for the files a package ships; these scripts call
// `headroom` through PATH instead, which is where a user's Tab finds it.
type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"Shell to print the completion script for: bash, zsh or fish."`
}

// completionScripts are the hooks per shell: bash asks the program named by
// complete -C; zsh does the same through bashcompinit (the file works both
// sourced and as _headroom in $fpath, where compinit loads it at the first
// Tab); fish passes the line in COMP_LINE as bash would.
var completionScripts = map[string]string{
	"bash": `# bash completion for headroom: candidates come from headroom itself.
complete -o default -o bashdefault -C headroom headroom
`,
	"zsh": `#compdef headroom
# zsh completion for headroom: candidates come from headroom itself.
autoload -U +X bashcompinit && bashcompinit
complete -o default -o bashdefault -C headroom headroom
# compinit loads this file as _headroom at the first Tab: answer that Tab too.
if [[ $funcstack[1] == _headroom ]]; then _bash_complete -o default -o bashdefault -C headroom; fi
`,
	"fish": `# fish completion for headroom: candidates come from headroom itself.
function __complete_headroom
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    headroom
end
complete -f -c headroom -a "(__complete_headroom)"
`,
}

func (c *completionCmd) Run(env *runEnv) error {
	_, err := fmt.Fprint(env.stdout, completionScripts[c.Shell])
	return err
}

// completeFromShell answers a shell's completion request (COMP_LINE set by
// the hooks above) and ends the program through parser.Exit; otherwise it
// costs one Getenv, so a normal start does not walk the model.
func completeFromShell(parser *kong.Kong) {
	if os.Getenv("COMP_LINE") == "" {
		return
	}
	kongcompletion.Register(parser)
}
