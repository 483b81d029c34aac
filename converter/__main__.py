from converter.cli.app import main

main()
