# Bash completion for hogo: commands, their subcommands and options, policy ids after
# --policy, and vocabulary ids after --purpose/--recipient/--data. Installed as
# share/bash-completion/completions/hogo. It asks hogo itself (`hogo --help`, `hogo CMD --help`,
# `hogo policy list`), so it follows the program without a list of its own to keep in step.

_hogo_commands() {
    hogo --help 2>/dev/null | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'
}

_hogo() {
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    cmd=""
    local i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --actor) ((i++)) ;;
        -*) ;;
        *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    case $prev in
    --policy)
        COMPREPLY=($(compgen -W "$(hogo policy list --format csv 2>/dev/null | tail -n +2 | cut -d, -f1)" -- "$cur"))
        compgen -f -X '!*.yaml' -- "$cur" >/dev/null && COMPREPLY+=($(compgen -f -X '!*.yaml' -- "$cur"))
        return ;;
    --format)
        COMPREPLY=($(compgen -W "json jsonl csv text" -- "$cur"))
        return ;;
    --lang)
        COMPREPLY=($(compgen -W "ja en" -- "$cur"))
        return ;;
    --db | --master-key | --signing-key | --key | --out | --config | --report | --vocabulary | -o | -c | -r)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    esac
    if [ -z "$cmd" ]; then
        COMPREPLY=($(compgen -W "$(_hogo_commands) help --help --version --actor" -- "$cur"))
        return
    fi
    if [ "$cmd" = help ]; then
        COMPREPLY=($(compgen -W "$(_hogo_commands) environment" -- "$cur"))
        return
    fi
    local usage
    usage=$(hogo "$cmd" --help 2>&1)
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(grep -oE -- '--[a-z][a-z-]*' <<<"$usage" | sort -u)" -- "$cur"))
    else
        local subs
        subs=$(grep -oE "hogo $cmd [a-z][a-z-]*" <<<"$usage" | awk '{print $3}' | sort -u)
        COMPREPLY=($(compgen -W "$subs" -- "$cur"))
        [ ${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

complete -F _hogo hogo
