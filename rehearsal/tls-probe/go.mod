module torrust-tracker-cdktf/rehearsal/tls-probe

go 1.26
